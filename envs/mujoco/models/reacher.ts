/**
 * Reacher MJCF, written for pgvar from the fact sheet (spec mujoco-models.md §9). Radians; a two-link
 * arm hinged about z in a 0.6 × 0.6 arena; the target slides in x/y with refs so its qpos equals its
 * world position; no contacts.
 */
export const REACHER_XML = `<mujoco model="reacher">
  <compiler angle="radian" inertiafromgeom="true"/>
  <option gravity="0 0 -9.81" integrator="RK4" timestep="0.01"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom contype="0" friction="1 0.1 0.1"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" pos="0 0 0" size="1 1 10" contype="0" conaffinity="0"/>
    <geom name="sideS" type="capsule" fromto="-0.3 -0.3 0.01 0.3 -0.3 0.01" size="0.02" conaffinity="0"/>
    <geom name="sideE" type="capsule" fromto="0.3 -0.3 0.01 0.3 0.3 0.01" size="0.02" conaffinity="0"/>
    <geom name="sideN" type="capsule" fromto="-0.3 0.3 0.01 0.3 0.3 0.01" size="0.02" conaffinity="0"/>
    <geom name="sideW" type="capsule" fromto="-0.3 -0.3 0.01 -0.3 0.3 0.01" size="0.02" conaffinity="0"/>
    <geom name="root" type="cylinder" fromto="0 0 0 0 0 0.02" size="0.011" contype="0" conaffinity="0"/>
    <body name="body0" pos="0 0 0.01">
      <geom name="link0" type="capsule" fromto="0 0 0 0.1 0 0" size="0.01"/>
      <joint name="joint0" type="hinge" axis="0 0 1" pos="0 0 0" limited="false"/>
      <body name="body1" pos="0.1 0 0">
        <joint name="joint1" type="hinge" axis="0 0 1" pos="0 0 0" limited="true" range="-3.0 3.0"/>
        <geom name="link1" type="capsule" fromto="0 0 0 0.1 0 0" size="0.01"/>
        <body name="fingertip" pos="0.11 0 0">
          <geom name="fingertip" type="sphere" pos="0 0 0" size="0.01" contype="0"/>
        </body>
      </body>
    </body>
    <body name="target" pos="0.1 -0.1 0.01">
      <joint name="target_x" type="slide" axis="1 0 0" pos="0 0 0" limited="true" range="-0.27 0.27" ref="0.1" armature="0" damping="0" stiffness="0"/>
      <joint name="target_y" type="slide" axis="0 1 0" pos="0 0 0" limited="true" range="-0.27 0.27" ref="-0.1" armature="0" damping="0" stiffness="0"/>
      <geom name="target" type="sphere" pos="0 0 0" size="0.009" contype="0" conaffinity="0"/>
    </body>
  </worldbody>
  <actuator>
    <motor joint="joint0" gear="200" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="joint1" gear="200" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;
