/**
 * Walker2d MJCF (v5 variant), written for pgvar from the fact sheet (spec mujoco-models.md §2;
 * Gymnasium walker2d_v5.xml). Two legs that overlap at rest; robot geoms have conaffinity 0, so only
 * robot–floor contacts. v5's only XML change from v4: the right foot's friction is 1.9 (v4: 0.9).
 */
export function walker2dXml(rightFootFriction = 1.9): string {
  const leg = (suffix: string, footFriction: number) => `
      <body name="thigh${suffix}" pos="0 0 -0.2">
        <joint name="thigh${suffix}_joint" type="hinge" axis="0 -1 0" pos="0 0 0" range="-150 0"/>
        <geom name="thigh${suffix}_geom" type="capsule" size="0.05 0.225" pos="0 0 -0.225" friction="0.9"/>
        <body name="leg${suffix}" pos="0 0 -0.7">
          <joint name="leg${suffix}_joint" type="hinge" axis="0 -1 0" pos="0 0 0.25" range="-150 0"/>
          <geom name="leg${suffix}_geom" type="capsule" size="0.04 0.25" friction="0.9"/>
          <body name="foot${suffix}" pos="0.2 0 -0.35">
            <joint name="foot${suffix}_joint" type="hinge" axis="0 -1 0" pos="-0.2 0 0.1" range="-45 45"/>
            <geom name="foot${suffix}_geom" type="capsule" size="0.06 0.1" pos="-0.1 0 0.1" quat="0.7071068 0 -0.7071068 0" friction="${footFriction}"/>
          </body>
        </body>
      </body>`;
  return `<mujoco model="walker2d">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option timestep="0.002" integrator="RK4"/>
  <default>
    <joint armature="0.01" damping="0.1" limited="true"/>
    <geom contype="1" conaffinity="0" condim="3" density="1000" friction="0.7 0.1 0.1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 -1.25" armature="0" damping="0" stiffness="0" limited="false"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 -1.25" ref="1.25" armature="0" damping="0" stiffness="0" limited="false"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" armature="0" damping="0" stiffness="0" limited="false"/>
      <geom name="torso_geom" type="capsule" size="0.05 0.2" friction="0.9"/>${leg('', rightFootFriction)}${leg('_left', 1.9)}
    </body>
  </worldbody>
  <actuator>
    <motor joint="thigh_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="leg_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="foot_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="thigh_left_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="leg_left_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="foot_left_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;
}
