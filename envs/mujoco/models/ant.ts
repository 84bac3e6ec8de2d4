/**
 * Ant MJCF, written for pgvar from the fact sheet (spec mujoco-models.md §4; Gymnasium ant.xml).
 * Degrees; RK4 at 0.01 s; density 5; margin 0.01 on every geom; a free-jointed sphere torso with
 * four three-body legs (leg root, hip, unnamed ankle body). Actuator order is hip/ankle 4, 1, 2, 3.
 */
const leg = (root: string, aux: string, idx: number, a: number, b: number, ankleAxis: string, ankleRange: string, legGeom: string, ankleGeom: string) => `
      <body name="${root}" pos="0 0 0">
        <geom name="aux_${idx}_geom" type="capsule" fromto="0 0 0 ${0.2 * a} ${0.2 * b} 0" size="0.08"/>
        <body name="${aux}" pos="${0.2 * a} ${0.2 * b} 0">
          <joint name="hip_${idx}" type="hinge" axis="0 0 1" pos="0 0 0" range="-30 30"/>
          <geom name="${legGeom}" type="capsule" fromto="0 0 0 ${0.2 * a} ${0.2 * b} 0" size="0.08"/>
          <body pos="${0.2 * a} ${0.2 * b} 0">
            <joint name="ankle_${idx}" type="hinge" axis="${ankleAxis}" pos="0 0 0" range="${ankleRange}"/>
            <geom name="${ankleGeom}" type="capsule" fromto="0 0 0 ${0.4 * a} ${0.4 * b} 0" size="0.08"/>
          </body>
        </body>
      </body>`;

export const ANT_XML = `<mujoco model="ant">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.01"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom conaffinity="0" condim="3" density="5.0" friction="1 0.5 0.5" margin="0.01"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3"/>
    <body name="torso" pos="0 0 0.75">
      <geom name="torso_geom" type="sphere" pos="0 0 0" size="0.25"/>
      <joint name="root" type="free" pos="0 0 0" armature="0" damping="0" limited="false" margin="0.01"/>${leg('front_left_leg', 'aux_1', 1, 1, 1, '-1 1 0', '30 70', 'left_leg_geom', 'left_ankle_geom')}${leg('front_right_leg', 'aux_2', 2, -1, 1, '1 1 0', '-70 -30', 'right_leg_geom', 'right_ankle_geom')}${leg('back_leg', 'aux_3', 3, -1, -1, '-1 1 0', '-70 -30', 'back_leg_geom', 'third_ankle_geom')}${leg('right_back_leg', 'aux_4', 4, 1, -1, '1 1 0', '30 70', 'rightback_leg_geom', 'fourth_ankle_geom')}
    </body>
  </worldbody>
  <actuator>
    <motor joint="hip_4" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_4" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_1" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_1" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_2" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_2" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_3" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_3" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;
